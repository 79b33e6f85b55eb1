using PhoneNumbers;

namespace MySign.Kernel.Validation;

/// <summary>Mobile numbers as typed by people: must carry the country code; stored in E.164.</summary>
public static class MobileNumbers
{
    /// <summary>A valid mobile number with its country code, in E.164 form; null if not.</summary>
    public static string? Normalise(string typed)
    {
        var util = PhoneNumberUtil.GetInstance();
        try
        {
            var number = util.Parse(typed.Trim(), null);
            var type = util.GetNumberType(number);
            var mobile = type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE;
            return util.IsValidNumber(number) && mobile ? util.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Only the last three digits are ever shown.</summary>
    public static string Mask(string phone) => phone.Length <= 3 ? phone : new string('•', phone.Length - 3) + phone[^3..];
}
